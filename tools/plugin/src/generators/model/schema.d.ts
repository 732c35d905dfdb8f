export interface ModelGeneratorSchema {
  /** The served model name, in every URL (TF Serving names such as half_plus_two are fine). */
  name: string;
  /** The app / Kubernetes name (DNS-1123); default: derived from name. */
  appName?: string;
  backend?: 'onnx' | 'tfjs' | 'tfserving' | 'v2';
  /** With --backend v2: the graph service paired with the app. */
  graph?: 'triton' | 'kserve' | 'mlserver';
  from?: string;
  /** An ONNX transformer in front of the model (copied as models/<name>/1/transformer.onnx). */
  transformer?: string;
  /** Records as old callers send them: maps fields onto inputs and writes models/<name>/sample.json. */
  sample?: string;
  /** {"<input>": ["field", ...]} for inputs that pack several fields, when the model's metadata has none. */
  columns?: string;
  port?: number;
  tags?: string;
  /** own (default): an app of its own; yard: listed in a yard (--yard, default "yard"). */
  placement?: 'own' | 'yard';
  yard?: string;
}
