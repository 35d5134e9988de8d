"""The deploy file: read safely, imports merged, checked, and loaded into the model."""
