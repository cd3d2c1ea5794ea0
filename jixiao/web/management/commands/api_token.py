from django.core.management.base import BaseCommand, CommandError

from jixiao.web.models import ApiToken, User


class Command(BaseCommand):
    help = "为用户签发一个 API 令牌（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")

    def handle(self, *args, **opts):
        try:
            user = User.objects.get(username=opts["username"])
        except User.DoesNotExist:
            raise CommandError(f"没有用户 {opts['username']}") from None
        self.stdout.write(ApiToken.issue(user, opts["name"]))
