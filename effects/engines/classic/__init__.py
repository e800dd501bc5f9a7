"""Classic photo effects: tone and colour (``tone``), painterly looks (``painterly``), film and lens
looks (``film``), with OpenCV and numpy; the building blocks they share are in ``shared``.

Pure: an RGB ``uint8`` array in, an RGB ``uint8`` array of the same size out, no Django, no
model files. Work is done in ``uint8`` or ``float32`` (never ``float64`` copies of a big image),
and sizes (brush strokes, grain, halftone dots) scale with the image, so a 512 px preview and a
2048 px result look alike. Random textures (grain, paper, strokes) come from fixed seeds: the
same photo always gives the same result, which the reference tests rely on.
"""
