"""hallq: the ground floor, the wire contract every part stands on (topics, operations, the client, the
hall clock, ID masking, languages, logs, the one Qt adapter). It imports nothing above it: see docs/architecture.md."""
