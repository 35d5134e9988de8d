"""The plan of an environment built from the deploy-file model: one module per pipeline kind."""
