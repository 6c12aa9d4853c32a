"""Records: the data layout, the safe loader, the model, validation, cross-record rules and schemas."""
