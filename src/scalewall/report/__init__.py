"""Tables, reports and exports."""
