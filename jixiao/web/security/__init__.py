"""Application-level security controls of GB/T 22239-2019 level 3 (issue 12): the hash-chained
audit log, the request context it records (who, from where), integrity checks and backups."""

