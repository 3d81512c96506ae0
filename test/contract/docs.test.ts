import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../local/template/read";
import { docProblems, headingSlugs, type Repository } from "./checks/docs";

/** The working tree as git sees it: tracked files and new ones not ignored, still on disk. */
function workingTree(): Repository {
  const listed = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: projectRoot,
      encoding: "utf8",
    },
  );
  const files = listed
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(projectRoot, file)));
  return { files, read: (path) => readFileSync(join(projectRoot, path), "utf8") };
}

/** A repository of the given files, for feeding the check broken copies. */
function repositoryOf(contents: Record<string, string>): Repository {
  return {
    files: Object.keys(contents),
    read: (path) => {
      const text = contents[path];
      if (text === undefined) throw new Error(`${path} is not in the test repository`);
      return text;
    },
  };
}

const repository = workingTree();
const markdownFiles = repository.files.filter((file) => file.endsWith(".md"));

describe("the docs point only at what the repository has", () => {
  it("reads the README, docs/ and the per-function READMEs", () => {
    expect(markdownFiles).toContain("README.md");
    expect(markdownFiles.some((file) => file.startsWith("docs/"))).toBe(true);
  });

  it.each(markdownFiles)("%s: every link, anchor and repository path resolves", (file) => {
    expect(docProblems(file, repository.read(file), repository)).toEqual([]);
  });
});

describe("the docs check", () => {
  const files = {
    "README.md": "# Microscale\n\n## Deploy it\n",
    "docs/local-cloud.md": "# The local cloud\n\n## Limits compared with AWS\n",
    "docs/images/report.png": "",
    "local/ecs/placement.ts": "",
    "events/priority-scaler/scheduled-reconcile.json": "",
    "containers/web/src/main.ts": "",
    "containers/agent/src/main.ts": "",
  };
  const check = (markdown: string, at = "docs/page.md"): string[] =>
    docProblems(at, markdown, repositoryOf({ ...files, [at]: markdown }));

  it("accepts links, anchors and paths that exist", () => {
    expect(
      check(
        [
          "# Page",
          "[local cloud](local-cloud.md#limits-compared-with-aws), [up](../README.md#deploy-it),",
          "[here](#page), ![report](images/report.png), [folder](../local/ecs/)",
          "`local/ecs/placement.ts`, `local/ecs/`, `containers/<name>/src/main.ts`,",
          "`containers/{web,agent}/`, `events/priority-scaler/*.json`, `events/…`, `report/index.html`,",
          "`local-cloud.md` (next to this page), `images/`, and below it: `report.png`",
          "```bash",
          "npm run invoke -- PriorityScalerFunction events/priority-scaler/scheduled-reconcile.json",
          "```",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it("leaves alone what is not a repository path", () => {
    expect(
      check(
        [
          "`npm run local`, `npm ci && npm test`, `AWS/ECS/ManagedScaling`, `aws-sdk:ecs:*`,",
          "`arn:aws:ecs:us-east-1:111122223333:cluster/microscale`, `microscale:per-host=true`,",
          "`@aws-sdk/client-ecs`, `http://127.0.0.1:4566/`, `/health`, `/opt/nodejs`, `PRIMARY/ACTIVE`,",
          "`p50/p99`, `DEMAND_METRIC_DIMENSIONS=Name=Value`, `rate(5 minutes)`, `.json`, `*.bench.ts`,",
          "Chart.js and Node.js, [AWS](https://docs.aws.amazon.com/), [mail](mailto:a@b.c)",
          "```text",
          "template.md missing/but-not-a-shell-block.ts",
          "```",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it("names a link to a missing file, folder or heading, and one outside the repository", () => {
    expect(
      check(
        [
          "[design](../DESIGN.md) and [gone](../local/events/)",
          "[anchor](local-cloud.md#capacity-providers) [self](#nowhere)",
          "[out](../../elsewhere.md) ![old](../local/report/screenshot.png)",
        ].join("\n"),
      ),
    ).toEqual([
      "docs/page.md:1: link (../DESIGN.md) names no file or folder in the repository",
      "docs/page.md:1: link (../local/events/) names no file or folder in the repository",
      "docs/page.md:2: link (local-cloud.md#capacity-providers) has no heading #capacity-providers in docs/local-cloud.md",
      "docs/page.md:2: link (#nowhere) has no heading #nowhere in docs/page.md",
      "docs/page.md:3: link (../../elsewhere.md) points outside the repository",
      "docs/page.md:3: link (../local/report/screenshot.png) names no file or folder in the repository",
    ]);
  });

  it("names a backticked, prose or command-line path that does not exist", () => {
    expect(
      check(
        [
          "`local/ecs/control-plane.ts` and `containers/<name>/Dockerfile`",
          "see DESIGN.md, and `events/foo.json`; `placement.ts` is not below docs/",
          "```bash",
          "npm run invoke -- DesiredCountSyncFunction events/desired-count-sync/missing.json",
          "```",
        ].join("\n"),
      ),
    ).toEqual([
      "docs/page.md:1: `local/ecs/control-plane.ts` names no file or folder in the repository",
      "docs/page.md:1: `containers/<name>/Dockerfile` names no file or folder in the repository",
      'docs/page.md:2: "DESIGN.md" names no file or folder in the repository',
      "docs/page.md:2: `events/foo.json` names no file or folder in the repository",
      "docs/page.md:2: `placement.ts` names no file or folder in the repository",
      "docs/page.md:4: events/desired-count-sync/missing.json (in a shell block) names no file or folder in the repository",
    ]);
  });

  it("slugs headings as GitHub does", () => {
    expect([
      ...headingSlugs("# The `local/` cloud — in depth\n## Figures\n## Figures\n## P1 + P2 ≤ C\n"),
    ]).toEqual(["the-local-cloud--in-depth", "figures", "figures-1", "p1--p2--c"]);
  });
});
