"""`jixiao manage admin_account USERNAME --role 系统管理员|安全管理员|审计管理员 [--reset]`: the
administrators' own accounts, kept on the server's command line (no administrator can manage
another's account in the web pages: separation of duties). A random initial password is printed
once; its owner must change it at the first login. Written to the audit log."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jixiao.web.models import User
from jixiao.web.security import audit
from jixiao.web.security.accounts import initial_password
from jixiao.web.security.roles import ADMIN_GROUPS, admin_groups_of, check_separation


class Command(BaseCommand):
    help = "建立管理员账号或重置其密码（初始密码只显示一次，首次登录须修改）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=ADMIN_GROUPS, help="系统管理员、安全管理员或审计管理员（建立账号时必填）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--reset", action="store_true", help="重置已有管理员账号的密码")

    def handle(self, *args, **opts):
        username = opts["username"].strip()
        password = initial_password()
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if opts["reset"]:
                if user is None or not admin_groups_of(user):
                    raise CommandError(f"没有管理员账号 {username}")
                what = "重置管理员密码（命令行）"
            else:
                if user is not None:
                    raise CommandError(f"用户名 {username} 已被使用（重置密码请加 --reset）")
                if not opts["role"]:
                    raise CommandError("建立管理员账号须给出 --role（系统管理员、安全管理员或审计管理员）")
                user = User(username=username, display_name=opts["name"] or opts["role"])
                user.set_unusable_password()
                user.save()
                user.groups.add(Group.objects.get(name=opts["role"]))
                try:
                    check_separation(user)
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from None
                what = f"建立{opts['role']}账号（命令行）"
            user.set_password(password)
            user.must_change_password = True
            user.save(update_fields=["password", "must_change_password"])
            audit.record("admin", actor_name="命令行", target=f"user:{user.pk}", path="password", new="initial", detail=what)
        self.stdout.write(f"{username} 的初始密码（只显示这一次，首次登录须修改）：{password}")
