/**
 * The generator's one list of backends and graph services: its options (schema.json,
 * schema.d.ts), the artifact each takes, the image recipes, the Kubernetes pair and the
 * compose services are all read from here, and a test holds this list equal to the runtime's
 * backend registry (libs/runtime/src/backends/registry.ts) and to schema.json.
 */

/** What --from points at, judged by what is there. */
export type ArtifactKind = 'onnx' | 'tfjs' | 'savedmodel' | 'sklearn';

export interface BackendEntry {
  /** The artifacts --from may be for this backend (with --graph: the graph's). */
  artifacts: readonly ArtifactKind[];
  /** The logic app's image recipe. */
  recipe: string;
  /** Graph services this backend pairs with; the first is the default. None: in process. */
  graphs?: readonly GraphKind[];
}

export const BACKENDS = {
  onnx: { artifacts: ['onnx'], recipe: 'tools/images/onnx.Dockerfile' },
  tfjs: { artifacts: ['tfjs'], recipe: 'tools/images/tfjs.Dockerfile' },
  tfserving: { artifacts: ['savedmodel'], recipe: 'tools/images/remote.Dockerfile', graphs: ['tfserving'] },
  v2: { artifacts: ['onnx', 'sklearn'], recipe: 'tools/images/remote.Dockerfile', graphs: ['triton', 'kserve', 'mlserver'] },
} as const satisfies Record<string, BackendEntry>;

export type Backend = keyof typeof BACKENDS;
export const BACKEND_KINDS = Object.keys(BACKENDS) as Backend[];

export interface GraphEntry {
  /** The graph service's image recipe (built as <app>-graph). */
  recipe: string;
  /** The shared Kubernetes component that pairs it with the logic app. */
  k8s: string;
  /** What the logic app is told about it, given the graph service's host name. */
  env(host: string): Record<string, string>;
  /** The artifacts the graph service runs. */
  artifacts: readonly ArtifactKind[];
}

const v2Env = (host: string) => ({ V2_URL: `http://${host}:8000` });

/**
 * Every v2 graph service listens on 8000 (REST) and 8001 (gRPC), Triton's ports, so one
 * Kubernetes component and one compose shape serve them all; their recipes set the ports.
 */
export const GRAPHS = {
  tfserving: {
    recipe: 'tools/images/tfserving-graph.Dockerfile',
    k8s: 'tools/k8s/graph',
    env: (host: string) => ({ TFSERVING_URL: `http://${host}:8501`, TFSERVING_GRPC: `${host}:8500` }),
    artifacts: ['savedmodel'],
  },
  triton: { recipe: 'tools/images/triton-graph.Dockerfile', k8s: 'tools/k8s/graph-v2', env: v2Env, artifacts: ['onnx'] },
  kserve: { recipe: 'tools/images/kserve-graph.Dockerfile', k8s: 'tools/k8s/graph-v2', env: v2Env, artifacts: ['sklearn'] },
  mlserver: { recipe: 'tools/images/mlserver-graph.Dockerfile', k8s: 'tools/k8s/graph-v2', env: v2Env, artifacts: ['sklearn'] },
} as const satisfies Record<string, GraphEntry>;

export type GraphKind = keyof typeof GRAPHS;
/** The --graph choices (tfserving's graph is implied by --backend tfserving). */
export const V2_GRAPHS = BACKENDS.v2.graphs;

export const isBackend = (kind: string): kind is Backend => kind in BACKENDS;

/** The graph service of an app: its --graph, else its backend's default; none in process. */
export function graphOf(backend: Backend, graph?: string): GraphKind | undefined {
  const graphs: readonly GraphKind[] | undefined = (BACKENDS[backend] as BackendEntry).graphs;
  if (!graphs) {
    if (graph) throw new Error(`--graph ${graph}: backend ${backend} runs in process and pairs with no graph service`);
    return undefined;
  }
  if (graph === undefined) return graphs[0];
  if (!(graphs as readonly string[]).includes(graph)) throw new Error(`--graph ${graph}: backend ${backend} pairs with ${graphs.join(' or ')}`);
  return graph as GraphKind;
}
