"""API tokens with a name, an expiry, last use, a scope and a side, revocable (issue 19). The tokens
issued before (web.ApiToken: no expiry, full access) are carried over as read-and-write tokens that
expire 90 days after this migration, so no integration stops at the upgrade; their owners see them
on the token page and replace them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def carry_over_old_tokens(apps, schema_editor):
    from datetime import timedelta

    from django.utils import timezone

    old, new = apps.get_model("web", "ApiToken"), apps.get_model("security", "ApiToken")
    bureau_roles = {"bureau_performance", "bureau_desk"}
    expires = timezone.now() + timedelta(days=90)
    for t in old.objects.select_related("user").iterator():
        new.objects.get_or_create(digest=t.digest, defaults={
            "user_id": t.user_id, "name": t.name or "升级前签发的令牌", "scope": "write", "expires_at": expires,
            "side": "bureau" if t.user.role in bureau_roles else "unit"})


class Migration(migrations.Migration):

    dependencies = [
        ('security', '0003_truncate_trigger'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("web", "0008_password_changed_at"),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
                ('digest', models.CharField(max_length=64, unique=True)),
                ('scope', models.CharField(choices=[('read', '只读'), ('write', '读写')], default='read', max_length=10, verbose_name='权限')),
                ('side', models.CharField(choices=[('unit', '单位'), ('bureau', '财政局')], default='unit', max_length=10, verbose_name='用途')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='签发时间')),
                ('expires_at', models.DateTimeField(verbose_name='有效期至')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='最近使用')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='吊销时间')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='吊销人')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='access_tokens', to=settings.AUTH_USER_MODEL, verbose_name='账号')),
            ],
            options={
                'verbose_name': 'API 令牌',
                'verbose_name_plural': 'API 令牌',
                'ordering': ['-created_at', '-id'],
                'default_permissions': (),
            },
        ),
        migrations.RunPython(carry_over_old_tokens, migrations.RunPython.noop),
    ]
