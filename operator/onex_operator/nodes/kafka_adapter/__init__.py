"""EFFECT node for Kafka topics: observe, plan (pure) and apply through batched admin calls."""
