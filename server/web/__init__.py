"""The edge: pages, forms, the JSON API and the WebSocket endpoint. No business rules here."""
