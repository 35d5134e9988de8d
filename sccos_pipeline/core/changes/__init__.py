"""What deploying one revision over another changes: two snapshots of a deploy file compared."""
