"""The API tokens moved to the security app (security 0004 carried the old ones over, issue 19)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("web", "0008_password_changed_at"), ("security", "0004_api_token")]
    operations = [migrations.DeleteModel(name="ApiToken")]
