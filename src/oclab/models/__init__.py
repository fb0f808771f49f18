"""Published models, one module each; :mod:`oclab.models.registry` lists them."""
