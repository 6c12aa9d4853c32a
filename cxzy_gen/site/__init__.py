"""The site: views at the build date, pages, rendering, the output folder, the preview server."""
