"""The map of a result and the report page: a solved case's map tables (model.results.maps) drawn
as a PNG (png, painted with Pillow by raster, imported only to draw) and as an interactive, self-contained HTML page
(page, rendered from the Jinja2 templates in templates/), both from one layout (layout: projection, Natural Earth
base layer, widths, side-by-side offsets, labels). sheet writes and reads the result workbook's Map sheet; files
writes every map
and report through the command's Outputs. topojson and build_basemap rebuild basemap.json (build
time only; see PROVENANCE.md)."""
