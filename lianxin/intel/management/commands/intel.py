"""`lianxin intel eval …` scores the category model on CSV files; `intel train` retrains it;
`intel topics …` groups a CSV of messages into topics and prints the hottest."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.intel import evaluation
from lianxin.intel.suggest import category_store, training_examples


def columns(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


class Command(BaseCommand):
    help = "Category suggestion: evaluate on CSV files, or retrain from closed cases."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("eval", help="Train on one CSV, score on another; JSON last.")
        ev.add_argument("--train", required=True, help="labelled CSV to train on (UTF-8)")
        ev.add_argument("--test", required=True, help="labelled CSV to score on (UTF-8)")
        ev.add_argument("--text-columns", required=True, type=columns, help="COL[,COL...]")
        ev.add_argument("--label-column", required=True)
        sub.add_parser("train", help="Retrain from closed cases and publish a new model version.")
        tp = sub.add_parser("topics", help="Group messages of a CSV into topics; print the top 10.")
        tp.add_argument("--input", required=True, help="CSV of messages (UTF-8)")
        tp.add_argument(
            "--text-columns",
            required=True,
            type=columns,
            help="COL[,COL...]; the first is the title",
        )
        tp.add_argument("--time-column", required=True)
        tp.add_argument("--votes-column", help="likes or supports per message")
        tp.add_argument("--user-column", help="who wrote each message: one person counts once")
        tp.add_argument("--top", type=int, default=10)

    def handle(self, *args, action: str, **options) -> None:
        if action == "eval":
            self.eval(options)
        elif action == "topics":
            self.topics(options)
        else:
            self.train()

    def eval(self, options: dict) -> None:
        try:
            train = evaluation.read_labelled_csv(
                options["train"], options["text_columns"], options["label_column"]
            )
            test = evaluation.read_labelled_csv(
                options["test"], options["text_columns"], options["label_column"]
            )
            self.stdout.write(f"train: {len(train[0])} rows, test: {len(test[0])} rows")
            result = evaluation.evaluate(train, test)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result))

    def topics(self, options: dict) -> None:
        from lianxin.intel import topics

        try:
            reports = topics.read_reports_csv(
                options["input"],
                options["text_columns"],
                options["time_column"],
                options["votes_column"],
                options["user_column"],
            )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        found = topics.group(reports)
        self.stdout.write(f"{len(reports)} messages, {len(found)} topics of 2 or more")
        for line in topics.describe(found, options["top"]):
            self.stdout.write(line)

    def train(self) -> None:
        texts, labels = training_examples()
        if len(set(labels)) < 2:
            raise CommandError(
                f"{len(texts)} examples (closed cases and dispatchers' choices of category), "
                f"in {len(set(labels))} categories: training needs at least two categories; "
                "keyword rules stay in use."
            )
        from lianxin.intel.classifier import CategoryModel

        try:
            model = CategoryModel.train(
                texts, labels, meta={"source": "closed cases and dispatchers' choices"}
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        path = category_store().publish(model)
        self.stdout.write(
            f"trained on {len(texts)} examples (closed cases and dispatchers' choices) "
            f"in {len(set(labels))} categories; "
            f"current model: {path.relative_to(settings.DATA_DIR)}"
        )
