"""What a rehearsal deploys into: the stack's resources, the existing parts, a real RabbitMQ,
and stand-ins for the tools this machine cannot run."""
