"""The monthly integration report: figures per connection (``figures``), rendered as CSV
(``csv_report``) and as a printable HTML page with server-drawn SVG charts (``html_report``)."""
