"""The SimPy world: fleet, customer stock, item manager, depot, transport, support options."""
