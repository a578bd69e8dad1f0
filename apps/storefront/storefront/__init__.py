"""shop-platform storefront: products, cached reads, orders."""
