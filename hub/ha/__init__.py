"""High availability: the gate (who may answer), replication to a standby hub, promotion."""
