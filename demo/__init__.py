"""`make demo`: a sample bot against an embedded bitFlyer-like exchange simulator on 127.0.0.1."""
