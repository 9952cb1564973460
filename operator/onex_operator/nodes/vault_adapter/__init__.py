"""EFFECT node for Vault/OpenBao KV secrets: a client per connection, pure plans, ownership and hashing."""
