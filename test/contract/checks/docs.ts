import { posix } from "node:path";
import GithubSlugger from "github-slugger";
import { marked, type Token, type Tokens } from "marked";

/**
 * What the docs may point at: the repository's files (tracked, or new and not ignored),
 * and the folders that hold them. Paths are relative to the root, with `/`.
 */
export interface Repository {
  readonly files: readonly string[];
  read(path: string): string;
}

/**
 * Outputs that commands write into the working tree and git ignores: the docs may name
 * them although no checkout has them until the command ran.
 */
export const generatedOutputs: Readonly<Record<string, string>> = {
  "report/": "npm start writes the report here",
  ".aws-sam/": "sam build",
  "node_modules/": "npm ci",
};

/** File endings that make a backticked or prose word a file name, wherever it points. */
const FILE_ENDINGS = /\.(ts|mjs|json|ya?ml|md|png|toml|html|sh)$/;
/** Fenced blocks whose words are command lines, so their paths are read too. */
const SHELL_BLOCKS = new Set(["bash", "sh", "shell", "console", "zsh"]);

interface Reference {
  readonly kind: "link" | "code" | "command" | "prose";
  readonly text: string;
}

/**
 * Every reference in `markdown` (the file at `path`) that names something the repository
 * does not have, one line each:
 *
 * - a relative link or image (`[t](dest)`, `<img src>`) must name a file or folder, and its
 *   `#fragment` a heading of the Markdown file it names (GitHub's heading slugs);
 * - a word in backticks, in a shell code block or in prose is a repository path when its
 *   first segment is a top-level file or folder of the repository (`local/…`, `events/…`),
 *   or when it ends like a file name (`.ts`, `.md`, `.json`, …); it must then exist,
 *   relative to the root or to the Markdown file's folder; a bare file name (`sync.ts` in
 *   `functions/README.md`) may be anywhere below that folder. `<placeholder>`, `*`, `{a,b}` and `…` segments match any name.
 *
 * Not paths, so never checked: URLs and anything with a scheme, colon, `$`, `=` or a
 * space (AWS names, ARNs, environment settings, commands), absolute paths (`/health`,
 * `/opt/nodejs`), npm package names (`@aws-sdk/client-ecs`), and words whose first
 * segment is not a top-level entry and which do not end like a file (`AWS/ECS/…`).
 */
export function docProblems(path: string, markdown: string, repository: Repository): string[] {
  const index = indexOf(repository);
  const problems: string[] = [];
  // References come in document order: each is looked for after the previous one's place.
  const searchedFrom = new Map<string, number>();
  const report = (reference: Reference, why: string): void => {
    const at = markdown.indexOf(reference.text, searchedFrom.get(reference.text) ?? 0);
    searchedFrom.set(reference.text, at + 1);
    const line = at < 0 ? 0 : markdown.slice(0, at).split("\n").length;
    problems.push(`${path}:${line}: ${describe(reference)} ${why}`);
  };

  for (const reference of referencesIn(markdown)) {
    if (reference.kind === "link") {
      const why = linkProblem(path, reference.text, index, repository);
      if (why !== undefined) report(reference, why);
      continue;
    }
    const candidate = pathCandidate(reference.text, index);
    const folder = posix.dirname(path);
    if (
      candidate !== undefined &&
      !index.matches(candidate) &&
      !index.matches(posix.join(folder, candidate)) &&
      // A bare file name in a folder's README names a file somewhere in that folder.
      !(
        !candidate.includes("/") &&
        index.matches(`${folder === "." ? "" : `${folder}/`}…/${candidate}`)
      )
    ) {
      report(reference, "names no file or folder in the repository");
    }
  }
  return problems;
}

function describe(reference: Reference): string {
  switch (reference.kind) {
    case "link":
      return `link (${reference.text})`;
    case "code":
      return `\`${reference.text}\``;
    case "command":
      return `${reference.text} (in a shell block)`;
    case "prose":
      return `"${reference.text}"`;
  }
}

function referencesIn(markdown: string): Reference[] {
  const references: Reference[] = [];
  marked.walkTokens(marked.lexer(markdown), (token: Token) => {
    switch (token.type) {
      case "link":
      case "image":
        references.push({ kind: "link", text: (token as Tokens.Link | Tokens.Image).href });
        break;
      case "html":
        for (const match of token.raw.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)) {
          if (match[1] !== undefined) references.push({ kind: "link", text: match[1] });
        }
        break;
      case "codespan":
        references.push({ kind: "code", text: (token as Tokens.Codespan).text.trim() });
        break;
      case "code": {
        const code = token as Tokens.Code;
        if (!SHELL_BLOCKS.has((code.lang ?? "").trim())) break;
        for (const word of code.text.split(/[\s;|&()'"`]+/)) {
          references.push({ kind: "command", text: word });
        }
        break;
      }
      case "text":
        // Leaf text only: a text token with inline children is walked through them.
        if ("tokens" in token && token.tokens !== undefined && token.tokens.length > 0) break;
        for (const word of token.text.split(/\s+/)) {
          references.push({ kind: "prose", text: word.replace(/^[("'[]+|[)"'\],.;:!?]+$/g, "") });
        }
        break;
    }
  });
  return references.filter((reference) => reference.text !== "");
}

interface RepositoryIndex {
  readonly topLevel: ReadonlySet<string>;
  has(path: string): boolean;
  matches(pattern: string): boolean;
}

function indexOf(repository: Repository): RepositoryIndex {
  const entries = new Set<string>();
  for (const file of repository.files) {
    entries.add(file);
    for (let dir = posix.dirname(file); dir !== "."; dir = posix.dirname(dir))
      entries.add(`${dir}/`);
  }
  const topLevel = new Set([...entries].map((entry) => entry.split("/")[0] ?? entry));
  const has = (path: string): boolean =>
    entries.has(path) ||
    entries.has(`${path.replace(/\/$/, "")}/`) ||
    Object.keys(generatedOutputs).some((output) => `${path}/`.startsWith(output));
  return {
    topLevel,
    has,
    matches(pattern) {
      if (!/[<*{…]|\.\.\./.test(pattern)) return has(pattern);
      const regex = patternRegex(pattern);
      return [...entries].some(
        (entry) => regex.test(entry) || regex.test(entry.replace(/\/$/, "")),
      );
    },
  };
}

/** `<name>` and `*` match one path segment, `…` any number, `{a,b}` either. */
function patternRegex(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const rest = pattern.slice(i);
    const placeholder = /^<[^>/]*>/.exec(rest);
    if (placeholder !== null) {
      source += "[^/]+";
      i += placeholder[0].length - 1;
    } else if (rest.startsWith("...") || rest.startsWith("…")) {
      source += ".*";
      i += rest.startsWith("…") ? 0 : 2;
    } else if (rest.startsWith("*")) {
      source += "[^/]*";
    } else if (rest.startsWith("{")) {
      const end = pattern.indexOf("}", i);
      const options = pattern.slice(i + 1, end < 0 ? undefined : end).split(",");
      source += `(?:${options.map(escapeRegex).join("|")})`;
      i = end < 0 ? pattern.length : end;
    } else {
      source += escapeRegex(pattern.charAt(i));
    }
  }
  return new RegExp(`^${source}/?$`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The repository path a word names, or undefined when the word is not a path. */
function pathCandidate(word: string, index: RepositoryIndex): string | undefined {
  if (/[\s:$=`\\]/.test(word) || word.startsWith("/") || word.startsWith("~")) return undefined;
  // A bare ending (`.json`, `*.bench.ts`) speaks of a kind of file, not of one file.
  if (/^\*?\.[\w.]+$/.test(word)) return undefined;
  const path = word.replace(/^\.\//, "");
  const first = path.split("/")[0] ?? path;
  if (first === "" || first.startsWith("-") || first.startsWith("@")) return undefined;
  if (index.topLevel.has(first) && path !== first) return path;
  if (FILE_ENDINGS.test(path) && /^[\w.<>{}*,…-]+(\/[\w.<>{}*,…-]+)*$/.test(path)) return path;
  return undefined;
}

function linkProblem(
  from: string,
  href: string,
  index: RepositoryIndex,
  repository: Repository,
): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURI(href);
  } catch {
    return "is not a valid URI";
  }
  const [target = "", fragment] = decoded.split("#", 2);
  const resolved =
    target === ""
      ? from
      : posix.normalize(
          target.startsWith("/") ? target.slice(1) : posix.join(posix.dirname(from), target),
        );
  if (resolved.startsWith("../") || resolved === "..") return "points outside the repository";
  if (!index.has(resolved)) return "names no file or folder in the repository";
  if (fragment === undefined || fragment === "" || !resolved.endsWith(".md")) return undefined;
  return headingSlugs(repository.read(resolved)).has(fragment)
    ? undefined
    : `has no heading #${fragment} in ${resolved}`;
}

/** The anchors GitHub gives a Markdown file's headings, duplicates numbered as it does. */
export function headingSlugs(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const slugs = new Set<string>();
  for (const token of marked.lexer(markdown)) {
    if (token.type === "heading")
      slugs.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
  }
  return slugs;
}

function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) =>
      "tokens" in token && token.tokens !== undefined
        ? plainText(token.tokens)
        : "text" in token
          ? String(token.text)
          : "",
    )
    .join("");
}
