"""Model export: ONNX with a dynamic batch axis, verified against PyTorch with onnxruntime."""

from nettune.export.errors import ExportError
from nettune.export.onnx_export import ONNX_FILE, export_onnx

__all__ = ["ONNX_FILE", "ExportError", "export_onnx"]
