from django.db import migrations

# Names are for the seller's operators (French); the language says whom the text is for.
TEMPLATES = [
    (
        "Où est mon colis",
        "fr",
        "where_is_my_parcel",
        ("Bonjour {buyer_name},\n\nVotre commande {order_number} est en route. Vous pouvez suivre votre colis ici : "
        "{tracking_link}\n\nBien cordialement,\nLe service client"),
    ),
    (
        "Annulation",
        "fr",
        "cancel",
        ("Bonjour {buyer_name},\n\nNous avons bien reçu votre demande d'annulation de la commande {order_number}. "
        "Nous revenons vers vous très vite.\n\nBien cordialement,\nLe service client"),
    ),
    (
        "Article endommagé",
        "fr",
        "damaged",
        ("Bonjour {buyer_name},\n\nNous sommes désolés que votre article (commande {order_number}) soit arrivé "
        "endommagé. Pouvez-vous nous envoyer une photo ? Nous vous proposerons un remplacement ou un "
        "remboursement.\n\nBien cordialement,\nLe service client"),
    ),
    (
        "Facture",
        "fr",
        "invoice",
        ("Bonjour {buyer_name},\n\nVous trouverez la facture de la commande {order_number} dans votre espace "
        "client de la plateforme. N'hésitez pas à nous écrire si besoin.\n\nBien cordialement,\nLe service client"),
    ),
    (
        "Question avant achat",
        "fr",
        "before_purchase",
        "Bonjour {buyer_name},\n\nMerci pour votre question. \n\nBien cordialement,\nLe service client",
    ),
    (
        "Où est mon colis",
        "en",
        "where_is_my_parcel",
        ("Hello {buyer_name},\n\nYour order {order_number} is on its way. You can track your parcel here: "
        "{tracking_link}\n\nKind regards,\nCustomer service"),
    ),
    (
        "Annulation",
        "en",
        "cancel",
        ("Hello {buyer_name},\n\nWe have received your request to cancel order {order_number} and will get back "
        "to you shortly.\n\nKind regards,\nCustomer service"),
    ),
    (
        "Article endommagé",
        "en",
        "damaged",
        ("Hello {buyer_name},\n\nWe are sorry your item (order {order_number}) arrived damaged. Could you send us "
        "a photo? We will offer a replacement or a refund.\n\nKind regards,\nCustomer service"),
    ),
]


def add_templates(apps, schema_editor):
    Template = apps.get_model("messaging", "Template")
    for name, language, topic, body in TEMPLATES:
        Template.objects.get_or_create(name=name, language=language, defaults={"topic": topic, "body": body})


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
