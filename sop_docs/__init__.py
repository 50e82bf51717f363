"""sop-docs: runs an office SOP on shared folders."""
