"""The JSON API's routers for jobs, posts, batches, stats and the URL preview: one module
each, added to the API in blogtube_site/api.py."""
