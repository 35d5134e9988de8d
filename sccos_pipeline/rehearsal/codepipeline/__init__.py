"""CodePipeline as the rehearsal plays it: an execution, its start, the API builds call."""
