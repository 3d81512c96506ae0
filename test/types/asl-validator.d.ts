declare module "asl-validator" {
  interface AslValidatorResult {
    isValid: boolean;
    errors: { message?: string; "Error code"?: string; path?: string }[];
    errorsText(separator?: string): string;
  }
  interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  function aslValidator(definition: unknown, options?: AslValidatorOptions): AslValidatorResult;
  export = aslValidator;
}
