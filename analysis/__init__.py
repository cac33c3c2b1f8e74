"""Result analysis: reads result directories; never imports the model."""
