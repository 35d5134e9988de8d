"""CodeBuild as the rehearsal plays it: a buildspec run in a real shell, and its artifacts."""
