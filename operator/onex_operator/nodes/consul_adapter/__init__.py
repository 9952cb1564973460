"""consul_adapter (EFFECT): ConsulService registrations with the Consul agent of a connection."""
