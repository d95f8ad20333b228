"""The bottom layer: the input as files (raw, xlsx), typed cell by cell as the schema says (schema, read,
columns, csv_cells) into CorridorData (data, settings), checked across sheets (validate), and with a named
scenario's overrides applied (scenarios). Nothing here imports a layer above it."""
