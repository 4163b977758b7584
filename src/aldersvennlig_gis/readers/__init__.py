"""The reading stage: every input file is read here, and only here.

One module per input: ``osm`` (the extract, ``--osm``; ``cache`` keeps a read
extract for ``evaluate``), ``sites`` (``--sites``, ``--exclude``, and the vector
and table reading every file goes through: format by content, CSV as a Norwegian
Excel saves it, CRS checks), ``destinations`` (``--destinations``),
``population`` (``--population``, ``--gp-capacity``), ``dem`` (``--dem``) and
``accessibility`` (``--accessibility``: Kartverket's survey, and how it overrides
the network's edges).

One error policy: a file that cannot be used stops the run with an
``InputError`` naming the file and what to do (a catalogue key ``err.<key>``;
exit code 2); nothing is guessed and no reader prints. Each reader returns
plain typed data (arrays, data frames in a stated CRS, small dataclasses) for
the stages after it.
"""
