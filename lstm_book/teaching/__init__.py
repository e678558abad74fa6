"""The teaching machinery of the book: everything around the model that a reader does not write.

`lstm_book` (the folder above) is the model, numpy only: the equations, the cell, its backward pass, the tasks
and the training loop, every line of it shown by some chapter. This subpackage is what the chapters use to teach
it, built on the model's public names only (the model never imports anything from here):

* `lstm_book.teaching.explorers`: the interactive explorers (a description, its matplotlib figure, its JupyterLab
  widget, its HTML view on the website) and their web front end in `web/` (with the JavaScript mirror of the
  scalar cell);
* `lstm_book.teaching.figures`: the book's figures (the cell diagram, series over time, Part II's diagrams);
* `lstm_book.teaching.checkers`: the exercise checkers, one runner and one catalogue of mistakes per part;
* `lstm_book.teaching.notebook`: `show_source`, how a chapter shows the package's own code;
* `lstm_book.teaching.experiments`: chapter 11's comparison of the variants, `python -m lstm_book.teaching.experiments`.
"""
