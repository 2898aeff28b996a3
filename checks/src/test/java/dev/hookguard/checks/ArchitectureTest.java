package dev.hookguard.checks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules ARCHITECTURE.md states (its "What may depend on what"), over the library modules' production classes. */
class ArchitectureTest {

    static final String[] CORE = {"dev.hookguard.delivery..", "dev.hookguard.idempotency..", "dev.hookguard.internal..",
            "dev.hookguard.malcolm..", "dev.hookguard.mautic..", "dev.hookguard.payload..", "dev.hookguard.signature.."};
    static final String[] ADAPTERS = {"dev.hookguard.servlet..", "dev.hookguard.javalin..", "dev.hookguard.spring..", "dev.hookguard.inbox.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importLibraries() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.hookguard");
    }

    @Test
    void coreDependsOnNoAdapterNoWebFrameworkAndNotOnTheTestingArtifact() {
        noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat()
                .resideInAnyPackage(ADAPTERS)
                .orShould().dependOnClassesThat().resideInAnyPackage("jakarta.servlet..", "io.javalin..", "org.springframework..",
                        "org.eclipse.jetty..", "org.apache.catalina..")
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.hookguard.sender..", "dev.hookguard.testing..")
                .check(classes);
    }

    @Test
    void adaptersUseCoresPublicApiOnly() {
        noClasses().that().resideInAnyPackage(ADAPTERS).should().dependOnClassesThat().resideInAPackage("dev.hookguard.internal..")
                .check(classes);
    }

    @Test
    void noAdapterReachesPastTheSpi() {
        noClasses().that().resideInAnyPackage(ADAPTERS).should().dependOnClassesThat().resideInAPackage("dev.hookguard.delivery.internal..")
                .check(classes);
    }

    @Test
    void coresStagesBeforeTheStoreDoNotDependOnTheInbox() {
        // Only the store stage (AdmissionStages), the stored handlers and the bridge know the inbox SPI.
        noClasses().that().haveFullyQualifiedName("dev.hookguard.delivery.RequestChecks")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.BodyStage")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.BodyRead")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.BodyReader")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.BodyBuffer")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.Routes")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.Watch")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.Accepted")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.Refusal")
                .or().haveFullyQualifiedName("dev.hookguard.delivery.Outcome")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.hookguard.delivery.spi.DeliveryInbox")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.hookguard.delivery.spi.StoredHandler")
                .check(classes);
    }

    @Test
    void theInboxsWorkersTakeHandlersNeverTheEndpoint() {
        noClasses().that().resideInAPackage("dev.hookguard.inbox..").and().doNotHaveSimpleName("JdbcInbox").should().dependOnClassesThat()
                .haveFullyQualifiedName("dev.hookguard.delivery.WebhookEndpoint").check(classes);
    }

    @Test
    void onlyTheSpisEntryPointUsesTheBridge() {
        noClasses().that().resideOutsideOfPackage("dev.hookguard.delivery.internal..")
                .and().doNotHaveFullyQualifiedName("dev.hookguard.delivery.spi.Adapters")
                .and().doNotHaveFullyQualifiedName("dev.hookguard.delivery.SpiAccess")
                .and().doNotHaveFullyQualifiedName("dev.hookguard.delivery.WebhookEndpoint")
                .should().dependOnClassesThat().resideInAPackage("dev.hookguard.delivery.internal..").check(classes);
    }

    @Test
    void theInboxIsIndependentOfEveryWebFramework() {
        noClasses().that().resideInAPackage("dev.hookguard.inbox..").should().dependOnClassesThat()
                .resideInAnyPackage("jakarta.servlet..", "io.javalin..", "org.springframework..", "dev.hookguard.servlet..",
                        "dev.hookguard.javalin..", "dev.hookguard.spring..")
                .check(classes);
    }

    @Test
    void adaptersDoNotDependOnEachOtherExceptTheStarterOnTheFilter() {
        noClasses().that().resideInAPackage("dev.hookguard.servlet..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.hookguard.javalin..", "dev.hookguard.spring..").check(classes);
        noClasses().that().resideInAPackage("dev.hookguard.javalin..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.hookguard.servlet..", "dev.hookguard.spring..").check(classes);
    }

    @Test
    void theTestingArtifactIsIndependentOfTheReceiver() {
        noClasses().that().resideInAnyPackage("dev.hookguard.sender..", "dev.hookguard.testing..").should().dependOnClassesThat()
                .resideInAnyPackage(CORE).check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.hookguard.(*)..").should().beFreeOfCycles().check(classes);
    }
}
