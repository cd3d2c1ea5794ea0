from django.core.management.base import BaseCommand, CommandError

from jixiao.web.models import User
from jixiao.web.security import tokens


class Command(BaseCommand):
    help = "为用户签发一个 API 令牌（只显示一次）：须有名称；默认只读、90 天有效"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌名称（必填，便于日后辨认和吊销）")
        parser.add_argument("--scope", default="read", choices=("read", "write"), help="read 只读（默认），write 读写")
        parser.add_argument("--days", default=str(tokens.DEFAULT_DAYS), help=f"有效天数，1–{tokens.MAX_DAYS}（默认 {tokens.DEFAULT_DAYS}）")

    def handle(self, *args, **opts):
        try:
            user = User.objects.get(username=opts["username"])
        except User.DoesNotExist:
            raise CommandError(f"没有用户 {opts['username']}") from None
        try:
            issued = tokens.issue(user=user, name=opts["name"], scope=opts["scope"], days=opts["days"], actor=user)
        except tokens.TokenError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(issued.token)
