"""Architecture descriptions: a Cytoscape.js-ready layer graph with 3-D layout hints, and gallery summaries."""

from nettune.architecture.describe import describe
from nettune.architecture.summary import architecture_summary

__all__ = ["architecture_summary", "describe"]
