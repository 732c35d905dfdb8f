export interface ModelGeneratorSchema {
  name: string;
  backend?: 'onnx' | 'tfjs' | 'tfserving';
  from?: string;
  port?: number;
  tags?: string;
}
