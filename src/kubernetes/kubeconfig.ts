/**
 * Kubeconfig loading with kubectl's rules, on top of `@kubernetes/client-node`'s
 * KubeConfig (which parses the files and later does the auth: client
 * certificates, bearer tokens, token files, exec plugins).
 *
 * Which files (first rule that applies):
 * 1. `--kubeconfig PATH`: exactly that file; it must exist.
 * 2. `KUBECONFIG`: a list separated by ":" (";" on Windows). Empty entries and
 *    repeated paths are ignored, files that do not exist are skipped (as
 *    kubectl does); at least one must exist.
 * 3. `~/.kube/config`.
 *
 * Merging, as kubectl's loader does it: the first file to define a cluster,
 * user or context of a given name wins, later definitions of the same name
 * are ignored, and the first file with a non-empty `current-context` sets it.
 * Relative certificate and key paths are resolved against the directory of
 * the file that names them.
 *
 * Why not `KubeConfig.loadFromDefault`: it lets the *last* file's
 * current-context win, throws on a name that two files define, fails on a
 * missing file in KUBECONFIG, and silently falls back to
 * http://localhost:8080 when nothing is configured.
 *
 * Context: `--context NAME`, else the merged current-context. The namespace is
 * the context's, else "default". Every secret found (tokens, passwords, client
 * key data) is registered for redaction when the file is read.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig, type Cluster, type Context, type User } from "@kubernetes/client-node";
import { ConfigError } from "../errors.js";
import { registerSecret } from "../log.js";

/** What the user chose on the command line. */
export interface KubeConfigSelection {
  /** `--kubeconfig`: one file, used alone. */
  kubeconfig?: string | undefined;
  /** `--context`: a context name of the merged configuration. */
  context?: string | undefined;
}

/** Injectable parts of the lookup (tests pass their own). */
export interface KubeConfigLookup {
  env?: Record<string, string | undefined>;
  home?: string;
  /** The list separator of KUBECONFIG; ":" except on Windows. */
  delimiter?: string;
}

/** Where the files came from, for messages. */
export type KubeConfigOrigin = "flag" | "KUBECONFIG" | "home";

/** A loaded kubeconfig with one context selected. */
export interface ResolvedKubeConfig {
  /** client-node's config with `currentContext` set to the selected context. */
  kc: KubeConfig;
  contextName: string;
  context: Context;
  cluster: Cluster;
  user: User;
  /** The context's namespace, else "default". */
  namespace: string;
  /** The API server URL, without a trailing slash. */
  server: string;
  /** The files read, in merge order. */
  files: string[];
  origin: KubeConfigOrigin;
}

/** The kubeconfig files to read, in merge order, and where the list came from. */
export function kubeconfigFiles(sel: KubeConfigSelection = {}, lookup: KubeConfigLookup = {}): { files: string[]; origin: KubeConfigOrigin } {
  const env = lookup.env ?? process.env;
  if (sel.kubeconfig !== undefined && sel.kubeconfig !== "") {
    const file = path.resolve(sel.kubeconfig);
    if (!existsSync(file)) {
      throw new ConfigError(`kubeconfig ${file} (from --kubeconfig) does not exist`, { hint: "Pass the path of an existing kubeconfig file." });
    }
    return { files: [file], origin: "flag" };
  }
  const list = env.KUBECONFIG;
  if (list !== undefined && list !== "") {
    const delimiter = lookup.delimiter ?? path.delimiter;
    const named = list.split(delimiter).filter((f) => f !== "").map((f) => path.resolve(f));
    const unique = [...new Set(named)];
    const files = unique.filter((f) => existsSync(f));
    if (files.length === 0) {
      throw new ConfigError(`none of the kubeconfig files in KUBECONFIG exists: ${unique.join(", ") || "(empty list)"}`, {
        hint: "Set KUBECONFIG to existing files, or pass --kubeconfig PATH.",
      });
    }
    return { files, origin: "KUBECONFIG" };
  }
  const home = lookup.home ?? os.homedir();
  const file = path.join(home, ".kube", "config");
  if (!existsSync(file)) {
    throw new ConfigError(`no kubeconfig: --kubeconfig not given, KUBECONFIG not set, and ${file} does not exist`, {
      hint: "Pass --kubeconfig PATH or set KUBECONFIG.",
    });
  }
  return { files: [file], origin: "home" };
}

function readOne(file: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    // loadFromFile also makes certificate and key paths absolute against the file's directory.
    kc.loadFromFile(file);
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ConfigError(`kubeconfig ${file} cannot be read: ${why}`, { cause: err, hint: "Fix the file (it must be a kubeconfig in YAML or JSON)." });
  }
  return kc;
}

function registerUserSecrets(u: User): void {
  registerSecret(u.token);
  registerSecret(u.password);
  registerSecret(u.keyData);
}

/** Merges several configurations with kubectl's "first definition wins" rule. */
export function mergeKubeConfigs(configs: KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let current = "";
  for (const c of configs) {
    for (const x of c.clusters) if (!clusters.has(x.name)) clusters.set(x.name, x);
    for (const x of c.users) if (!users.has(x.name)) users.set(x.name, x);
    for (const x of c.contexts) if (!contexts.has(x.name)) contexts.set(x.name, x);
    if (!current && c.currentContext) current = c.currentContext;
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext: current });
  return merged;
}

/**
 * Finds, merges and checks the kubeconfig and selects a context.
 *
 * @example
 * const k = loadKubeConfig({ context: "src-mgmt" }); // KUBECONFIG or ~/.kube/config
 * k.server; // "https://127.0.0.1:16400"
 */
export function loadKubeConfig(sel: KubeConfigSelection = {}, lookup: KubeConfigLookup = {}): ResolvedKubeConfig {
  const { files, origin } = kubeconfigFiles(sel, lookup);
  const kc = mergeKubeConfigs(files.map(readOne));
  for (const u of kc.users) registerUserSecrets(u);
  const where = files.length === 1 ? files[0] : `${files.join(", ")} (merged from KUBECONFIG)`;
  const known = kc.contexts.map((c) => c.name);

  const wanted = sel.context || kc.currentContext;
  if (!wanted) {
    throw new ConfigError(`${where} sets no current-context and no --context was given; contexts: ${known.join(", ") || "(none)"}`, {
      hint: "Pass --context NAME.",
    });
  }
  const context = kc.getContextObject(wanted);
  if (!context) {
    throw new ConfigError(`context "${wanted}" not found in ${where}; ${known.length > 0 ? `known contexts: ${known.join(", ")}` : "it defines no contexts"}`, {
      hint: "Pass the name of a context from the kubeconfig (kubectl config get-contexts lists them).",
    });
  }
  const cluster = kc.getCluster(context.cluster);
  if (!cluster) throw new ConfigError(`context "${wanted}" in ${where} names cluster "${context.cluster}", which is not defined`);
  const user = kc.getUser(context.user);
  if (!user) throw new ConfigError(`context "${wanted}" in ${where} names user "${context.user}", which is not defined`);
  kc.setCurrentContext(wanted);
  return {
    kc,
    contextName: wanted,
    context,
    cluster,
    user,
    namespace: context.namespace || "default",
    server: cluster.server.replace(/\/+$/, ""),
    files,
    origin,
  };
}
