"""AWS for the rehearsal: moto behind a proxy that authorizes each call, IAM, the AWS CLI."""
