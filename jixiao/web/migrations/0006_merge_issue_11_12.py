# Joins the three migrations written side by side for issues 11 (imports; batch PDF and departments)
# and 12 (forced password change); they touch different tables.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0005_batch_pdf_departments"),
        ("web", "0005_execution_and_package_imports"),
        ("web", "0005_security_password_change"),
    ]
    operations = []
