"""Code generation: ``spec/*.yaml`` -> the generated modules of ``src/welkin/``."""
