from .urls import root

urlpatterns = list(root)
