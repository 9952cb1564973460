"""The local test-bed: real etcd, kube-apiserver, kube-controller-manager, Kafka, Consul, OpenBao and
PostgreSQL as processes on loopback, built or downloaded from package registries and cached."""
