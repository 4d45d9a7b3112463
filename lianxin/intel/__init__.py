"""Text models for triage. The core modules (classifier, store, evaluation) import no Django."""
