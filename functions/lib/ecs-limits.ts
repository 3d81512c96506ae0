/**
 * Per-request maximums of the ECS API (see each action's API reference). Asking for
 * the maximum keeps the number of calls, and so throttling, as low as it can be.
 */

/** maxResults of ListServices and ListContainerInstances (the paginators' pageSize). */
export const ECS_PAGE_SIZE = 100;

/** Services per DescribeServices request. */
export const DESCRIBE_SERVICES_BATCH = 10;

/** Container instances per DescribeContainerInstances request. */
export const DESCRIBE_CONTAINER_INSTANCES_BATCH = 100;
