// ONNX export: a model package as one ONNX graph (see export.ts).
export { exportOnnx, OUTPUT_NAMES, type OnnxExport } from './export.js';
export { EXPORTABLE_KINDS } from './models.js';
export { EXPORTABLE_STEPS } from './recipe-steps.js';
