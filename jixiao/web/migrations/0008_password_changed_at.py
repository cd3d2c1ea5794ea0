"""User.password_changed_at: when the owner last changed the password (password expiry, 等保 8.1.4.1 a)).

The accounts that exist when this runs count as changed now: with JIXIAO_PASSWORD_MAX_AGE_DAYS on,
nobody is locked out by the upgrade itself; each gets the full period before the first change."""

import django.utils.timezone
from django.db import migrations, models


def changed_now(apps, schema_editor):
    User = apps.get_model("web", "User")
    User.objects.filter(password_changed_at__isnull=True).update(password_changed_at=django.utils.timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("web", "0007_dashboard_monitoring_flag_batch_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True, verbose_name="密码修改时间"),
        ),
        migrations.RunPython(changed_now, migrations.RunPython.noop),
    ]
